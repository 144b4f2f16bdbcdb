// /login: sign in or create an account (AUTH=local); `?next=` names the page to return to.
import type { Metadata } from 'next';
import { Suspense } from 'react';
import { LoginView } from './LoginView';

export const metadata: Metadata = { title: 'Sign in · StepFlow' };

export default function LoginPage() {
  return (
    <Suspense>
      <LoginView />
    </Suspense>
  );
}
