/**
 * The IAM query API's errors and their XML, from the IAM API reference "Common Errors" and each action's
 * "Errors" section (https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html). IAM answers
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` in its own namespace,
 * which the AWS SDKs' query protocol parses (not S3's `<Error>` document).
 */
import { escapeXml } from '../xml.ts';

/** The IAM namespace every response root carries. */
export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** Every IAM error code the server produces, with its HTTP status. */
export const IAM_ERRORS = {
  AccessDenied: 403,
  DeleteConflict: 409,
  EntityAlreadyExists: 409,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  LimitExceeded: 409,
  MalformedPolicyDocument: 400,
  MissingAction: 400,
  NoSuchEntity: 404,
  ServiceFailure: 500,
  SignatureDoesNotMatch: 403,
  ValidationError: 400,
} as const satisfies Record<string, number>;

/** An IAM error code. */
export type IamErrorCode = keyof typeof IAM_ERRORS;

/** An error the IAM endpoint answers in IAM's XML. */
export class IamError extends Error {
  readonly code: IamErrorCode;
  readonly status: number;

  constructor(code: IamErrorCode, message: string) {
    super(message);
    this.name = 'IamError';
    this.code = code;
    this.status = IAM_ERRORS[code];
  }
}

/** The `<ErrorResponse>` document of an IAM error (`Type` is Receiver for the server's own faults). */
export function iamErrorXml(code: string, message: string, requestId: string, status: number): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${IAM_XMLNS}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
