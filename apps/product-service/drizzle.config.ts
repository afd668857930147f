// drizzle-kit turns src/database/schema.ts into the SQL migrations the service
// applies at start: `npx nx run product-service:db-generate` after a schema change.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './apps/product-service/src/database/schema.ts',
  out: './apps/product-service/src/database/migrations',
});
