'use client';
// The results panel's rating row: my stored scores of the shown run's images (runs.ratings), one widget per image.
// Nothing for a visitor who may not rate (not signed in), or before the run has stored its images.
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../lib/trpc';
import { RateImage } from '../../shell/RateImage';

export function useMyRatings(runId: string | null, stored: boolean, shareToken?: string) {
  const trpc = useTRPC();
  return useQuery(trpc.runs.ratings.queryOptions({ runId: runId ?? '', shareToken }, { enabled: Boolean(runId) && stored }));
}

export function ResultRating({ runId, artifactId, ratings, shareToken }: {
  runId: string;
  artifactId: string;
  ratings: ReturnType<typeof useMyRatings>['data'];
  shareToken?: string;
}) {
  if (!ratings?.canRate) return null;
  const mine = ratings.ratings.find((r) => r.artifactId === artifactId)?.score ?? null;
  return <RateImage runId={runId} artifactId={artifactId} value={mine} shareToken={shareToken} />;
}
