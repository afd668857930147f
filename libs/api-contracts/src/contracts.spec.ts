import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import {
  CreateOrderDto,
  INT32_MAX,
  ExecuteAgentDto,
  ListProductsQuery,
  RegisterDto,
  ReserveStockDto,
} from './index';

// The same transformation and validation Nest's ValidationPipe applies to a request.
async function problems<T extends object>(type: new () => T, input: unknown): Promise<string[]> {
  const instance = plainToInstance(type, input);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  const flatten = (list: typeof errors, prefix = ''): string[] =>
    list.flatMap((error) => [
      ...Object.keys(error.constraints ?? {}).map(() => `${prefix}${error.property}`),
      ...flatten(error.children ?? [], `${prefix}${error.property}.`),
    ]);
  return [...new Set(flatten(errors))];
}

describe('public API contracts', () => {
  it('accepts a valid registration and names every bad field of an invalid one', async () => {
    expect(
      await problems(RegisterDto, {
        email: 'ada@example.com',
        password: 'long enough',
        name: 'Ada',
      }),
    ).toEqual([]);
    expect(await problems(RegisterDto, { email: 'nope', password: 'short' })).toEqual([
      'email',
      'password',
      'name',
    ]);
  });

  it('validates every order line and rejects unknown fields', async () => {
    expect(await problems(CreateOrderDto, { items: [{ productId: 1, quantity: 2 }] })).toEqual([]);
    expect(await problems(CreateOrderDto, { items: [] })).toEqual(['items']);
    expect(
      await problems(CreateOrderDto, {
        items: [
          { productId: 0, quantity: 101 },
          { productId: 'x', quantity: 1 },
        ],
        coupon: 'FREE',
      }),
    ).toEqual(['coupon', 'items.0.productId', 'items.0.quantity', 'items.1.productId']);
  });

  it('turns paging query strings into bounded numbers with defaults', async () => {
    const query = plainToInstance(ListProductsQuery, { limit: '5', q: 'laptop' });
    expect(query).toMatchObject({ limit: 5, offset: 0, q: 'laptop' });
    expect(await problems(ListProductsQuery, { limit: '0', offset: '-1' })).toEqual([
      'limit',
      'offset',
    ]);
    expect(await problems(ListProductsQuery, { limit: '1000' })).toEqual(['limit']);
  });

  it('accepts only the known agent types and a bounded input', async () => {
    expect(await problems(ExecuteAgentDto, { agentType: 'crm', input: 'hello' })).toEqual([]);
    expect(await problems(ExecuteAgentDto, { agentType: 'oracle', input: '' })).toEqual([
      'agentType',
      'input',
    ]);
    expect(
      await problems(ExecuteAgentDto, { agentType: 'catalog', input: 'x'.repeat(2_001) }),
    ).toEqual(['input']);
  });

  it('requires a UUID order id for an internal stock reservation', async () => {
    expect(
      await problems(ReserveStockDto, {
        orderId: 'order-1',
        items: [{ productId: 1, quantity: 1 }],
      }),
    ).toEqual(['orderId']);
  });

  it('bounds every number by what its integer column holds', async () => {
    expect(
      await problems(CreateOrderDto, {
        items: [
          { productId: 9_007_199_254_740_992, quantity: 1 },
          { productId: INT32_MAX, quantity: 1 },
        ],
      }),
    ).toEqual(['items.0.productId']);
    expect(await problems(ListProductsQuery, { offset: '3.3e16' })).toEqual(['offset']);
    expect(await problems(ListProductsQuery, { offset: '1.2e308' })).toEqual(['offset']);
    expect(await problems(ListProductsQuery, { offset: String(INT32_MAX) })).toEqual([]);
  });

  it('refuses text PostgreSQL cannot store, naming each field', async () => {
    expect(
      await problems(RegisterDto, {
        email: 'ada@example.com',
        password: 'nul\u0000is fine in a password: it is hashed',
        name: 'A\u0000da',
      }),
    ).toEqual(['name']);
    expect(await problems(ListProductsQuery, { q: 'lap\u0000top' })).toEqual(['q']);
    expect(await problems(ExecuteAgentDto, { agentType: 'crm', input: '\u0000' })).toEqual([
      'input',
    ]);
    // Other control characters are text PostgreSQL stores.
    expect(await problems(ListProductsQuery, { q: 'tab\there\u0007' })).toEqual([]);
  });
});
