/**
 * The Owner element S3 puts in listings and ACLs (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Owner.html).
 */
import type { Owner } from '../context.ts';
import type { XmlObject } from '../xml.ts';

/** The Owner element of `owner`. */
export function ownerXml(owner: Owner): XmlObject {
  return { ID: owner.id, DisplayName: owner.displayName };
}
