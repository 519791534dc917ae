/**
 * What the console checks before sending, so a form can say why at once (the server checks again): bucket
 * names, folder names and user-metadata names.
 */

/**
 * The reason a bucket name breaks S3's naming rules, or undefined when it is valid
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). Checked before the request
 * so the form can say why at once; the server checks again.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'Bucket names are 3 to 63 characters long.';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'Use lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.';
  if (name.includes('..')) return 'Bucket names have no two dots in a row.';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'Bucket names are not IP addresses.';
  return undefined;
}

/** The reason a folder name is unusable, or undefined. */
export function folderNameProblem(name: string): string | undefined {
  const trimmed = name.replace(/\/+$/, '');
  if (trimmed === '') return 'Give the folder a name.';
  if (trimmed.includes('/')) return 'A folder name has no "/" inside: create one level at a time.';
  if (new TextEncoder().encode(trimmed).length > 1000) return 'The name is too long for an S3 key.';
  return undefined;
}

/** The reason user metadata is unusable, or undefined (names are HTTP header tokens; S3 lower-cases them). */
export function metadataProblem(pairs: readonly { name: string; value: string }[]): string | undefined {
  const names = new Set<string>();
  for (const p of pairs) {
    const name = p.name.trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) return `"${p.name}" is not a valid metadata name (letters, digits and - _ . only).`;
    if (names.has(name)) return `"${name}" appears twice.`;
    names.add(name);
  }
  return undefined;
}
