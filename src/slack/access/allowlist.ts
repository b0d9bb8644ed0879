import type { Logger } from '../../log/logger.js';

export type AllowVerdict = { allowed: true; via: 'user' | 'usergroup' } | { allowed: false; reason: string };

/** Returns the member IDs of a Slack user group (usergroups.users.list). */
export type GroupMembersFetcher = (usergroupId: string) => Promise<string[]>;

/**
 * Who may run /markread: MARKREAD_ALLOWED_USERS, plus members of MARKREAD_ALLOWED_USERGROUPS. Fail-closed: a
 * group that cannot be read (free plans answer plan_upgrade_required) counts as empty, logged, and only the
 * user list applies. Group members are cached for a few minutes so a check costs no Slack call most of the time.
 */
export class Allowlist {
  private readonly cache = new Map<string, { members: Set<string>; until: number; pending?: Promise<Set<string>> }>();

  constructor(
    private readonly users: Set<string>,
    private readonly groups: Set<string>,
    private readonly fetchMembers: GroupMembersFetcher,
    private readonly logger: Logger,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  /**
   * `budgetMs` bounds the wait for group look-ups, because the answer must be known before Slack's 3 s ack
   * deadline; past it the caller is refused with a reason to try again.
   */
  async check(userId: string, budgetMs = 1_500): Promise<AllowVerdict> {
    if (this.users.has(userId)) return { allowed: true, via: 'user' };
    if (this.groups.size === 0) return { allowed: false, reason: 'not on the markread allowlist' };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), budgetMs);
    });
    try {
      const memberships = await Promise.race([Promise.all([...this.groups].map((g) => this.members(g))), timeout]);
      if (memberships === 'timeout')
        return { allowed: false, reason: 'user-group membership could not be checked in time; try again in a moment' };
      return memberships.some((m) => m.has(userId))
        ? { allowed: true, via: 'usergroup' }
        : { allowed: false, reason: 'not on the markread allowlist' };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Who is on it, as configured: the users and user groups named (for "who can act"; members are not listed). */
  entries(): { users: string[]; groups: string[] } {
    return { users: [...this.users], groups: [...this.groups] };
  }

  /** Loads every group now, so the first command does not wait for Slack. */
  async warm(): Promise<void> {
    await Promise.all([...this.groups].map((g) => this.members(g)));
  }

  private members(group: string): Promise<Set<string>> {
    const cached = this.cache.get(group);
    const now = Date.now();
    if (cached && cached.until > now) return Promise.resolve(cached.members);
    if (cached?.pending) return cached.pending;
    const pending = this.fetchMembers(group).then(
      (ids) => {
        const members = new Set(ids);
        this.cache.set(group, { members, until: Date.now() + this.ttlMs });
        return members;
      },
      (error: unknown) => {
        const code = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
        this.logger.warn(
          { usergroup: group, error: code },
          `cannot read user group ${group} (${code}); only MARKREAD_ALLOWED_USERS applies for now`,
        );
        // Remember the failure briefly so a broken group is not asked about on every command.
        const members = cached?.members ?? new Set<string>();
        this.cache.set(group, { members, until: Date.now() + Math.min(this.ttlMs, 60_000) });
        return members;
      },
    );
    this.cache.set(group, { members: cached?.members ?? new Set(), until: 0, pending });
    return pending;
  }
}
