// /settings: the signed-in user's settings (for now: personal API tokens for the HTTP API).
import { TokensView } from './TokensView';

export default function SettingsPage() {
  return <TokensView />;
}
