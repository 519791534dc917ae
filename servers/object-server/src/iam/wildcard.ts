/**
 * Policy wildcards: in Action, Resource and the `…Like` condition operators `*` matches any run of characters
 * and `?` exactly one ("IAM JSON policy elements: Resource",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
 */

/** A RegExp for a wildcard string: `*` matches any run of characters, `?` exactly one. */
export function wildcardRegex(source: string, caseInsensitive: boolean): RegExp {
  const body = source.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}
