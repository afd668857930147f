// drizzle-kit turns src/database/schema.ts into the SQL migrations the service
// applies at start: `npx nx run order-service:db-generate` after a schema change.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './apps/order-service/src/database/schema.ts',
  out: './apps/order-service/src/database/migrations',
});
