/**
 * The headers every console response carries. The Content-Security-Policy allows scripts, styles, images and
 * connections from the console's own origin only — no inline script or style, no `eval`, no third party — so
 * an object's content or a key name shown in the page can never run as code there; `connect-src 'self'` keeps
 * the browser's signed S3 requests on this server. `form-action 'none'`: the forms are handled by script, and a
 * native submission (script failed to load) would put the secret key in a URL.
 *
 * CSP Level 3: https://www.w3.org/TR/CSP3/; the other headers per the Fetch standard (nosniff, CORP) and
 * HTML (COOP, X-Frame-Options for browsers without frame-ancestors).
 */

/** The console's Content-Security-Policy. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every console response, assets and API alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
});
