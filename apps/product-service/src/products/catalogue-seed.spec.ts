import { catalogueSeed } from './catalogue-seed';

describe('catalogueSeed', () => {
  const seed = catalogueSeed();

  it('is the same catalogue on every start', () => {
    expect(catalogueSeed()).toEqual(seed);
  });

  it('is large enough to page through, across five categories', () => {
    expect(seed.length).toBeGreaterThanOrEqual(100);
    expect(new Set(seed.map((product) => product.category))).toEqual(
      new Set(['laptops', 'phones', 'audio', 'displays', 'accessories']),
    );
    expect(new Set(seed.map((product) => product.name)).size).toBe(seed.length);
  });

  it('makes every seventh product a limited edition with only five units', () => {
    const limited = seed.filter((product) => product.name.endsWith(' Limited Edition'));

    expect(limited.length).toBe(Math.floor(seed.length / 7));
    seed.forEach((product, index) => {
      const isLimited = index % 7 === 6;
      expect(product.name.endsWith(' Limited Edition')).toBe(isLimited);
      expect(product.stock).toBe(isLimited ? 5 : 10_000);
    });
  });

  it('prices everything in whole cents, dearer editions costing more', () => {
    for (const product of seed) {
      expect(Number.isInteger(product.priceCents)).toBe(true);
      expect(product.priceCents).toBeGreaterThan(0);
      expect(product.description).toContain(product.category);
    }
    const price = (name: string) => seed.find((product) => product.name === name)!.priceCents;
    expect(price('Ultrabook Lite')).toBeLessThan(price('Ultrabook Max'));
  });
});
