/** The live connections: by id, counted per remote IP, and outbound ones by destination key. */
import type { Connection } from './connection.js';

export class ConnectionTable {
  private readonly byId = new Map<number, Connection>();
  private readonly perIp = new Map<string, number>();
  private nextId = 1;

  get size(): number {
    return this.byId.size;
  }

  newId(): number {
    return this.nextId++;
  }

  countFor(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  add(conn: Connection): void {
    this.byId.set(conn.id, conn);
    this.perIp.set(conn.remoteAddress, this.countFor(conn.remoteAddress) + 1);
  }

  /** Idempotent. */
  remove(conn: Connection): void {
    if (this.byId.get(conn.id) !== conn) return;
    this.byId.delete(conn.id);
    const n = this.countFor(conn.remoteAddress) - 1;
    if (n > 0) this.perIp.set(conn.remoteAddress, n);
    else this.perIp.delete(conn.remoteAddress);
  }

  get(id: number): Connection | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<Connection> {
    return this.byId.values();
  }

  /** Remote IPs with live connections (for tests and metrics). */
  get ipCount(): number {
    return this.perIp.size;
  }
}
