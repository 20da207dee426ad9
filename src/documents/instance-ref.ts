export interface InstanceRef {
  id: string;
  definitionId: string;
  status: 'active' | 'done';
  state: string;
  memorandum: string | null;
  partner: string | null;
  context: Record<string, unknown>;
}
