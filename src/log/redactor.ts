/**
 * Last line of defence for secrets in text that leaves the process (log lines, error messages). Known values
 * (the secret key, tokens, each UserSig made) are replaced wherever they appear, and so is anything shaped like
 * a UserSig query parameter or a Slack token, even if nobody registered it.
 */
const PATTERNS: Array<[RegExp, string]> = [
  [/(usersig=)[^&\s"'\\]+/gi, '$1[redacted]'],
  [/\bxox[abposr]-[A-Za-z0-9-]+/g, '[redacted-slack-token]'],
  [/\bxapp-[A-Za-z0-9-]+/g, '[redacted-slack-token]'],
];

export class Redactor {
  private readonly known = new Set<string>();
  /** The newest few UserSigs only: they rotate, and old ones are expired anyway. */
  private readonly recentSigs: string[] = [];

  addSecret(value: string): void {
    // Very short values would redact ordinary words; config requires real keys anyway.
    if (value.length >= 6) this.known.add(value);
  }

  addUserSig(userSig: string): void {
    this.recentSigs.push(userSig);
    if (this.recentSigs.length > 4) this.recentSigs.shift();
  }

  scrub(text: string): string {
    let out = text;
    for (const value of this.known) if (out.includes(value)) out = out.split(value).join('[redacted]');
    for (const sig of this.recentSigs) if (out.includes(sig)) out = out.split(sig).join('[redacted]');
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }
}
