'use client';
// /monitor: operations view (latency, failures, workers, caches, MOS) for admins; everyone with AUTH=none.
import { MonitorView } from './MonitorView';

export default function MonitorPage() {
  return <MonitorView />;
}
