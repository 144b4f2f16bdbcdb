'use client';
// Sign in / Create account: one form with a mode switch. Field messages come from the server's zod check
// (or the two passwords differing); the line under the button carries the rest (wrong password, wait after tries).
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { authFormErrors, NO_ERRORS, signUpProblems, type AuthField, type AuthFormErrors } from './form-errors';

type Mode = 'signIn' | 'signUp';

/** `signupOpen` false (SIGNUP=closed): sign in only; accounts come from an admin. */
export function LoginForm({ onSignedIn, signupOpen = true }: { onSignedIn(): void; signupOpen?: boolean }) {
  const trpc = useTRPC();
  const [mode, setMode] = useState<Mode>('signIn');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<AuthFormErrors>(NO_ERRORS);
  const [done, setDone] = useState(false); // the next page is loading: keep the button off
  const options = {
    onSuccess: () => { setDone(true); onSignedIn(); },
    onError: (e: unknown) => setErrors(authFormErrors(e)),
  };
  const signIn = useMutation(trpc.auth.signIn.mutationOptions(options));
  const signUp = useMutation(trpc.auth.signUp.mutationOptions(options));
  const pending = signIn.isPending || signUp.isPending || done;
  const signingUp = mode === 'signUp';
  const title = signingUp ? 'Create account' : 'Sign in';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (pending) return;
    if (signingUp) {
      const mismatch = signUpProblems(password, confirm);
      if (mismatch.fields.confirm) return setErrors(mismatch);
    }
    setErrors(NO_ERRORS);
    (signingUp ? signUp : signIn).mutate({ username, password });
  };
  const edited = (field: AuthField) => setErrors((old) => ({ fields: { ...old.fields, [field]: undefined }, message: old.message }));
  const switchMode = () => {
    setMode(signingUp ? 'signIn' : 'signUp');
    setErrors(NO_ERRORS);
    setConfirm('');
  };

  return (
    <form className="login-form" onSubmit={submit} noValidate aria-labelledby="login-title" data-testid="login-form">
      <h1 id="login-title">{title}</h1>
      <Field
        label="Username" error={errors.fields.username} hint={signingUp ? '3–64 letters, digits, dot, dash or underscore' : undefined}
        input={{ name: 'username', value: username, autoComplete: 'username', autoFocus: true, onChange: (v) => { setUsername(v); edited('username'); } }}
      />
      <Field
        label="Password" error={errors.fields.password} hint={signingUp ? 'at least 8 characters' : undefined}
        input={{ name: 'password', type: 'password', value: password, autoComplete: signingUp ? 'new-password' : 'current-password', onChange: (v) => { setPassword(v); edited('password'); } }}
      />
      {signingUp && (
        <Field
          label="Confirm password" error={errors.fields.confirm}
          input={{ name: 'confirm', type: 'password', value: confirm, autoComplete: 'new-password', onChange: (v) => { setConfirm(v); edited('confirm'); } }}
        />
      )}
      {errors.message && <p className="error" role="alert" data-testid="login-error">{errors.message}</p>}
      <button type="submit" className="primary" disabled={pending}>{pending ? `${title}…` : title}</button>
      {signupOpen ? (
        <p className="muted">
          {signingUp ? 'Already have an account? ' : 'New here? '}
          <button type="button" className="link-button" onClick={switchMode}>{signingUp ? 'Sign in' : 'Create account'}</button>
        </p>
      ) : (
        <p className="muted" data-testid="signup-closed">New here? Ask an admin of this server for an account.</p>
      )}
    </form>
  );
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: string;
  input: { name: string; value: string; type?: string; autoComplete: string; autoFocus?: boolean; onChange(value: string): void };
}

function Field({ label, error, hint, input }: FieldProps) {
  const id = useId();
  const { onChange, ...attrs } = input;
  const described = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div className="login-field">
      <label htmlFor={id}>{label}</label>
      <input
        {...attrs} id={id} type={attrs.type ?? 'text'} onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined} aria-describedby={described || undefined}
      />
      {hint && <span id={`${id}-hint`} className="muted">{hint}</span>}
      {error && <span id={`${id}-error`} className="error" data-testid={`${input.name}-error`}>{error}</span>}
    </div>
  );
}
