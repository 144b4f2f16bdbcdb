'use client';
// Settings → Password: the current password again, the new one twice. Other browsers signed in as me are
// signed out by the server; this one stays.
import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { authFormErrors, signUpProblems } from '../login/form-errors';
import { useToast } from '../shell/toast';

export function PasswordForm() {
  const trpc = useTRPC();
  const notify = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const change = useMutation(trpc.auth.changePassword.mutationOptions({
    onSuccess: (r) => {
      setCurrent(''); setNext(''); setConfirm(''); setError(null);
      notify(`Password changed${r.otherSessionsSignedOut ? `; ${r.otherSessionsSignedOut} other browser(s) signed out` : ''}`, 'success');
    },
    onError: (e) => {
      const shown = authFormErrors(e);
      setError(shown.fields.password ?? shown.message ?? e.message);
    },
  }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const mismatch = signUpProblems(next, confirm);
    if (mismatch.fields.confirm) return setError(mismatch.fields.confirm);
    setError(null);
    change.mutate({ currentPassword: current, newPassword: next });
  };

  return (
    <form className="password-form" onSubmit={submit} noValidate data-testid="password-form">
      <label>Current password <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} /></label>
      <label>New password <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} /></label>
      <label>Repeat new password <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} /></label>
      {error && <p className="error" role="alert" data-testid="password-error">{error}</p>}
      <button type="submit" className="primary" disabled={change.isPending || !current || !next}>
        {change.isPending ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}
