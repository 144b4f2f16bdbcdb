'use client';
// /gallery: my output images (optionally ?workflow=<id>), large, with a viewer and a side-by-side compare.
import { Suspense } from 'react';
import { useSearchParams } from 'next/navigation';
import { GalleryView } from './GalleryView';

function GalleryWithQuery() {
  const params = useSearchParams();
  return <GalleryView initialWorkflowId={params.get('workflow') ?? undefined} />;
}

export default function GalleryPage() {
  return (
    <Suspense>
      <GalleryWithQuery />
    </Suspense>
  );
}
