/**
 * Personal data on the way out: residents' contact details and staff phone numbers are shown whole only to the
 * roles that need them (domain/permissions.ts: contact:read, staff:contact) and masked for everyone else, keeping
 * just enough to recognise a number or an address: 138****1234, z***@example.com. Pure.
 */

/** 13812341234 → 138****1234; short numbers keep their last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '');
  if (digits.length >= 7) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length > 2) return `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
  return '*'.repeat(digits.length);
}

/** zhang.san@example.com → z***@example.com. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

export interface Contact {
  email: string | null;
  phone: string | null;
}

/** The contact as the caller may see it: whole, or masked. */
export function contactFor(c: Contact, whole: boolean): Contact & { masked: boolean } {
  if (whole) return { ...c, masked: false };
  return { email: c.email === null ? null : maskEmail(c.email), phone: c.phone === null ? null : maskPhone(c.phone), masked: true };
}
