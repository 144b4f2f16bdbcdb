import { describe, expect, it } from 'vitest';
import { authFormErrors, signUpProblems, waitText } from './form-errors';

describe('auth form errors', () => {
  it('puts zod messages under their fields', () => {
    const e = {
      message: '[{"code":"too_small"}]',
      data: {
        code: 'BAD_REQUEST',
        zodError: { formErrors: [], fieldErrors: { username: ['a username has at least 3 characters'], password: ['a password has at least 8 characters', 'x'] } },
      },
    };
    expect(authFormErrors(e)).toEqual({
      fields: { username: 'a username has at least 3 characters', password: 'a password has at least 8 characters' },
      message: null,
    });
  });

  it('shows the server message for a wrong password or a taken name', () => {
    expect(authFormErrors({ message: 'wrong username or password', data: { code: 'UNAUTHORIZED', zodError: null } }))
      .toEqual({ fields: {}, message: 'wrong username or password' });
  });

  it('says how long to wait after too many tries', () => {
    const e = { message: 'too many failed sign-ins: wait 42 s and try again', data: { code: 'TOO_MANY_REQUESTS', zodError: null, retryAfter: 42 } };
    expect(authFormErrors(e).message).toBe('Too many failed sign-ins. Wait 42 s and try again.');
    expect(authFormErrors({ ...e, data: { ...e.data, retryAfter: null } }).message).toBe('Too many failed sign-ins. Wait a minute and try again.');
  });

  it('tells a network failure apart from a refusal', () => {
    expect(authFormErrors(new TypeError('Failed to fetch')).message)
      .toBe('Could not reach the server (Failed to fetch). Check your connection and try again.');
  });

  it('formats waits in seconds and minutes', () => {
    expect(waitText(0.2)).toBe('1 s');
    expect(waitText(59)).toBe('59 s');
    expect(waitText(60)).toBe('1 min');
    expect(waitText(125)).toBe('2 min 5 s');
  });

  it('checks that the sign-up passwords agree', () => {
    expect(signUpProblems('secret-pass', 'secret-pass').fields).toEqual({});
    expect(signUpProblems('secret-pass', 'secret-pasS').fields.confirm).toMatch(/differ/);
  });
});
