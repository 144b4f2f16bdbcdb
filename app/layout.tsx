// Root layout: dark app shell with the top navigation shared by library, editor and runs pages.
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import '@xyflow/react/dist/style.css';
import './globals.css';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: 'StepFlow',
  description: 'Node-graph image generation pipelines',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
