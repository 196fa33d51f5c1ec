/**
 * Who the simulator is at each step. It acts as the people of the district — the guidance centre's dispatcher,
 * the assignee, the supervisor — so each write must be that staff member's own: with the token it was given
 * (an admin's, `accounts:manage`) it asks the server for one token per staff member it acts as
 * (POST /api/tokens { staffId }), and one integration token for the residents' channels (reports, evaluations).
 * Everything stays an API call; the tokens it made are revoked when it stops.
 */
import { ApiError, type ApiClient } from './client.ts';

export class SimCredentials {
  private readonly made = new Map<string, Promise<{ id: number; token: string }>>();

  constructor(private readonly client: ApiClient, private readonly adminToken: string) {}

  /** The Authorization header of the admin token (reads, and making the others). */
  get admin(): string {
    return `Bearer ${this.adminToken}`;
  }

  /** The Authorization header for a staff member, or for the residents' channels ('resident'). */
  async header(who: number | 'resident'): Promise<Record<string, string>> {
    const key = String(who);
    let p = this.made.get(key);
    if (!p) {
      const body = who === 'resident' ? { role: 'integration', label: 'simulator: residents' } : { staffId: who, label: 'simulator' };
      p = this.client.post<{ id: number; token: string }>('/api/tokens', body, { Authorization: this.admin }).then((r) => {
        if (!r.ok) throw new ApiError('POST', '/api/tokens', r.problem);
        return r.body;
      });
      this.made.set(key, p);
      p.catch(() => this.made.delete(key));
    }
    return { Authorization: `Bearer ${(await p).token}` };
  }

  /** Revokes every token made (best effort: the server may be going away). */
  async revokeAll(): Promise<void> {
    const all = await Promise.allSettled([...this.made.values()]);
    this.made.clear();
    await Promise.allSettled(
      all.flatMap((r) => (r.status === 'fulfilled' ? [this.client.delete(`/api/tokens/${r.value.id}`, { Authorization: this.admin })] : [])),
    );
  }
}
