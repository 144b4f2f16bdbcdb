'use client';
// Rates one output image of a run (runs.rate) with the star widget: the new score shows at once and goes back if
// the server refuses; the runs list, the gallery, the run and its ratings are re-read so other views agree.
import { useEffect, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { RatingStars } from './RatingStars';
import { useToast } from './toast';

interface Props {
  runId: string;
  artifactId: string;
  /** My stored score (null: not rated yet). */
  value: number | null;
  shareToken?: string;
  label?: string;
}

export function RateImage({ runId, artifactId, value, shareToken, label = 'Rate this image' }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notify = useToast();
  const [shown, setShown] = useState<number | null>(value);
  // A refetch (another tab, a reload of the list) brings the stored score.
  useEffect(() => setShown(value), [value]);
  const rate = useMutation(trpc.runs.rate.mutationOptions({
    onSuccess: () => {
      void queryClient.invalidateQueries(trpc.runs.ratings.queryFilter({ runId }));
      void queryClient.invalidateQueries(trpc.runs.get.queryFilter({ runId }));
      void queryClient.invalidateQueries(trpc.runs.list.infiniteQueryFilter());
      void queryClient.invalidateQueries(trpc.gallery.list.infiniteQueryFilter());
    },
    onError: (e) => {
      setShown(value);
      notify(`Rating failed: ${e.message}`, 'error');
    },
  }));
  return (
    <span data-testid="rate-image" data-artifact-id={artifactId}>
      <RatingStars
        value={shown} label={label}
        onRate={(score) => { setShown(score); rate.mutate({ runId, artifactId, score, shareToken }); }}
      />
    </span>
  );
}
