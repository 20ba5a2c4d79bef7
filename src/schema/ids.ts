/**
 * Accepting either an entity's own id or its global id ("Run:…", "Workflow:triage@2"), as GraphiQL users
 * and the CLI use both.
 */

export function ownId(value: string, typename: string): string {
  return value.startsWith(`${typename}:`) ? value.slice(typename.length + 1) : value;
}

/** `triage`, `triage@2`, `Workflow:triage@2` → `{ id: 'triage', version: 2 }`. */
export function workflowRef(value: string): { id: string; version?: number } {
  const own = ownId(value, 'Workflow');
  const at = own.lastIndexOf('@');
  if (at > 0) {
    const version = Number(own.slice(at + 1));
    if (Number.isInteger(version) && version > 0) return { id: own.slice(0, at), version };
  }
  return { id: own };
}
