import { CidrList } from './cidr-list.js';

export type AdmissionAction = 'publish' | 'play';

export interface CidrRules {
  readonly allow: CidrList;
  readonly deny: CidrList;
}

/** The static rules of one action: deny wins; a non-empty allow list admits only what it names. */
export function refusedByRules(rules: CidrRules, address: string): boolean {
  if (rules.deny.matches(address)) return true;
  return !rules.allow.isEmpty && !rules.allow.matches(address);
}
