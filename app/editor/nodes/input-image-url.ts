// Where the editor reads a Load Image picture: /api/inputs/<name>, through the open workflow so a viewer of a
// shared workflow sees the owner's upload it names (the server checks that the workflow uses it).
export function inputImageUrl(name: string, via?: { workflowId: string; shareToken?: string }): string {
  const url = `/api/inputs/${encodeURIComponent(name)}`;
  if (!via) return url;
  const query = new URLSearchParams({ workflow: via.workflowId });
  if (via.shareToken) query.set('share', via.shareToken);
  return `${url}?${query}`;
}
