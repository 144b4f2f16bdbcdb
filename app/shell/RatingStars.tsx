'use client';
// A compact 1–5 star rating (MOS): a radio group, so Tab reaches it once and the arrow keys (or 1–5) pick a score;
// each star says what it gives. Controlled: the caller stores the score.
import { useRef, type KeyboardEvent } from 'react';
import './rating.css';

const SCORES = [1, 2, 3, 4, 5] as const;

interface Props {
  value: number | null;
  onRate(score: number): void;
  /** What is rated, for screen readers ("Rate this image"). */
  label: string;
  disabled?: boolean;
}

export function RatingStars({ value, onRate, label, disabled }: Props) {
  const group = useRef<HTMLDivElement>(null);
  // Roving focus: the chosen star (or the first) is the one Tab stops on.
  const focusable = value ?? 1;
  const pick = (score: number) => {
    if (disabled) return;
    onRate(score);
    group.current?.querySelector<HTMLButtonElement>(`[data-score="${score}"]`)?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const current = value ?? 0;
    const moves: Record<string, number> = { ArrowRight: current + 1, ArrowUp: current + 1, ArrowLeft: current - 1, ArrowDown: current - 1, Home: 1, End: 5 };
    const next = /^[1-5]$/.test(e.key) ? Number(e.key) : moves[e.key];
    if (next === undefined) return;
    e.preventDefault();
    pick(Math.min(5, Math.max(1, next)));
  };
  return (
    <div
      ref={group} className="rating" role="radiogroup" aria-label={label} aria-disabled={disabled || undefined}
      data-testid="rating" data-value={value ?? ''} onKeyDown={onKeyDown}
    >
      {SCORES.map((score) => (
        <button
          key={score} type="button" role="radio" aria-checked={value === score} aria-label={`${score} of 5`}
          title={`${score} of 5`} tabIndex={score === focusable ? 0 : -1} disabled={disabled}
          className={value !== null && score <= value ? 'rating-star on' : 'rating-star'}
          data-testid={`rating-star-${score}`} data-score={score} onClick={() => pick(score)}
        >
          ★
        </button>
      ))}
    </div>
  );
}
