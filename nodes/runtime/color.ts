// CSS-style hex colours -> RGBA in [0,1].

export function parseColor(s: string): [number, number, number, number] | undefined {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(s.trim());
  if (!m) return undefined;
  let hex = m[1];
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const v = (i: number) => parseInt(hex.slice(i, i + 2), 16) / 255;
  return [v(0), v(2), v(4), hex.length === 8 ? v(6) : 1];
}
