import { generateApiToken, hashApiToken, looksLikeApiToken, tokenHashesEqual } from './api-token.util';

describe('api tokens', () => {
  it('generates distinct, well-formed tokens', () => {
    const a = generateApiToken();
    const b = generateApiToken();
    expect(a).not.toBe(b);
    expect(looksLikeApiToken(a)).toBe(true);
  });

  it('stores a 32-byte hash that identifies the token', () => {
    const token = generateApiToken();
    expect(hashApiToken(token)).toHaveLength(32);
    expect(tokenHashesEqual(hashApiToken(token), hashApiToken(token))).toBe(true);
    expect(tokenHashesEqual(hashApiToken(token), hashApiToken(generateApiToken()))).toBe(false);
  });

  it('rejects header values that cannot be tokens before any look-up', () => {
    expect(looksLikeApiToken('ast_short')).toBe(false);
    expect(looksLikeApiToken(`Bearer ${generateApiToken()}`)).toBe(false);
    expect(looksLikeApiToken("ast_' OR 1=1 --aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")).toBe(false);
  });
});
