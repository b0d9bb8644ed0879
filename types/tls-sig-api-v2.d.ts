// tls-sig-api-v2 1.0.2 ships no types. Only the part markread uses is declared.
declare module 'tls-sig-api-v2' {
  export class Api {
    constructor(sdkappid: number, key: string);
    /** Returns a UserSig valid for `expire` seconds from now, for `identifier`. */
    genUserSig(identifier: string, expire: number): string;
  }
}
