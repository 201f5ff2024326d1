/**
 * The part of @digitalbazaar/vc-bitstring-status-list we use (the package ships no types): building,
 * encoding and decoding bitstrings (GZIP + base64url with the multibase "u" prefix, index 0 = the
 * left-most bit), and the unsigned BitstringStatusListCredential shape.
 */
declare module '@digitalbazaar/vc-bitstring-status-list' {
  export class BitstringStatusList {
    constructor(options?: { length?: number; buffer?: Uint8Array });
    readonly length: number;
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    encode(): Promise<string>;
    static decode(options: { encodedList: string }): Promise<BitstringStatusList>;
  }
  export function createList(options: { length: number }): Promise<BitstringStatusList>;
  export function decodeList(options: { encodedList: string }): Promise<BitstringStatusList>;
  /** What createCredential returns: no issuer, dates or proof (the caller adds and secures them). */
  export interface UnsecuredStatusListCredential {
    '@context': string[];
    id: string;
    type: string[];
    credentialSubject: { id: string; type: 'BitstringStatusList'; encodedList: string; statusPurpose: string };
  }
  export function createCredential(options: { id: string; list: BitstringStatusList; statusPurpose: string; context?: string[] }): Promise<UnsecuredStatusListCredential>;
}
