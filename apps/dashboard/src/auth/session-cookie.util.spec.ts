import { normaliseToken, requestProtocol, safeNextPath, sessionCookieOptions } from './session-cookie.util';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

describe('session cookie', () => {
  it('is httpOnly and SameSite=Strict always, Secure over https only', () => {
    expect(sessionCookieOptions('https')).toEqual({ httpOnly: true, sameSite: 'strict', secure: true, path: '/', maxAge: 28800 });
    expect(sessionCookieOptions('http')).toMatchObject({ httpOnly: true, sameSite: 'strict', secure: false });
  });

  it('reads the protocol from a proxy header, then from the origin', () => {
    expect(requestProtocol(headers({ 'x-forwarded-proto': 'https, http' }))).toBe('https');
    expect(requestProtocol(headers({ origin: 'https://audit.example' }))).toBe('https');
    expect(requestProtocol(headers({ origin: 'http://127.0.0.1:3000' }))).toBe('http');
    expect(requestProtocol(headers({}))).toBe('http');
  });

  it('accepts a token-shaped string, trimmed', () => {
    expect(normaliseToken('  ast_abc-DEF_123  ')).toBe('ast_abc-DEF_123');
  });

  it.each([[''], ['   '], ['ast_a b'], ['ast_\r\nX-Evil: 1'], ['x'.repeat(600)], [null], [42]])('refuses %p', (raw) => {
    expect(normaliseToken(raw)).toBeNull();
  });

  it('only returns to same-site paths after sign-in', () => {
    expect(safeNextPath('/actions?x=1')).toBe('/actions?x=1');
    expect(safeNextPath('//evil.example/')).toBe('/');
    expect(safeNextPath('/\\evil.example')).toBe('/');
    expect(safeNextPath('https://evil.example/')).toBe('/');
    expect(safeNextPath(null)).toBe('/');
  });
});
