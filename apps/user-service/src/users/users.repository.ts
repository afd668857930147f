import { Inject, Injectable } from '@nestjs/common';
import { type Database, DATABASE, isUniqueViolation } from '@obs/service-kit';
import { Span } from '@obs/telemetry';
import { eq } from 'drizzle-orm';
import * as schema from '../database/schema';
import { users } from '../database/schema';

export type UserRow = typeof users.$inferSelect;

@Injectable()
export class UsersRepository {
  constructor(@Inject(DATABASE) private readonly db: Database<typeof schema>) {}

  /** Inserts the user, or returns undefined when the email is taken. */
  @Span()
  async insert(user: {
    email: string;
    name: string;
    passwordHash: string;
  }): Promise<UserRow | undefined> {
    try {
      const [row] = await this.db.insert(users).values(user).returning();
      return row;
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  @Span()
  async findByEmail(email: string): Promise<UserRow | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email));
    return row;
  }

  @Span()
  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row;
  }
}
