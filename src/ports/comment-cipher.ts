/** Encrypts comments before they reach the store; the store never sees plaintext. */
export interface CommentCipher {
  /** Encrypts with the current key; returns the ciphertext envelope and the key id used. */
  encrypt(plaintext: string): { cipher: string; keyId: string };
  /** Decrypts a stored envelope; throws if the key is unknown or the data was tampered with. */
  decrypt(cipher: string, keyId: string): string;
}
