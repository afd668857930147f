// drizzle-kit turns src/database/schema.ts into the SQL migrations the service
// applies at start: `npx nx run user-service:db-generate` after a schema change.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './apps/user-service/src/database/schema.ts',
  out: './apps/user-service/src/database/migrations',
});
