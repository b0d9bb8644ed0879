import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What the modal carries from the command to its submission. */
export interface ModalMetadata {
  channelId: string;
  responseUrl: string;
}

/** A form opened from App Home: no command, so no channel or response_url yet; the form asks for the channel. */
export const FROM_HOME = { from: 'app-home' } as const;
export type FromHome = typeof FROM_HOME;

const mac = z.string().regex(/^[0-9a-f]{64}$/);
const sealedSchema = z.union([
  z.object({
    channelId: z.string().regex(/^[CDG][A-Z0-9]{2,}$/),
    responseUrl: z.string().max(1000),
    mac,
  }),
  z.object({ from: z.literal('app-home'), mac }),
]);

/**
 * A modal's private_metadata comes back in the view_submission, and markread then posts to the channel and
 * response_url it names: it is sealed with an HMAC, keyed from a secret markread already holds, so a changed
 * channel or URL is refused rather than used.
 */
export class MetadataSeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'markread', 'modal private_metadata v1', 32));
  }

  seal(metadata: ModalMetadata | FromHome): string {
    if ('from' in metadata) return JSON.stringify({ from: metadata.from, mac: this.mac(metadata) });
    return JSON.stringify({
      channelId: metadata.channelId,
      responseUrl: metadata.responseUrl,
      mac: this.mac(metadata),
    });
  }

  /** The metadata if it is markread's own and unchanged; undefined otherwise. */
  open(text: string): ModalMetadata | FromHome | undefined {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = sealedSchema.safeParse(json);
    if (!parsed.success) return undefined;
    const { mac, ...metadata } = parsed.data;
    const expected = Buffer.from(this.mac(metadata), 'hex');
    return timingSafeEqual(expected, Buffer.from(mac, 'hex')) ? metadata : undefined;
  }

  /** A command's form signs its channel and URL; a Home form signs only where it came from (a one-item list). */
  private mac(metadata: ModalMetadata | FromHome): string {
    const signed = 'from' in metadata ? [metadata.from] : [metadata.channelId, metadata.responseUrl];
    return createHmac('sha256', this.key).update(JSON.stringify(signed)).digest('hex');
  }
}
