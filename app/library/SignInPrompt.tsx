'use client';
// What a signed-out visitor sees in place of a personal tab (accounts on): why it is empty and where to sign in.
import Link from 'next/link';
import { loginHref } from '../login/next-path';

export function SignInPrompt({ why }: { why: string }) {
  return (
    <div className="sign-in-prompt" data-testid="sign-in-prompt">
      <p><strong>Sign in to see your library</strong></p>
      <p className="muted">{why}</p>
      <Link href={loginHref('/')} className="button primary">Sign in</Link>
    </div>
  );
}
