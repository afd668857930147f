/** A product before it has an id. */
export interface SeedProduct {
  name: string;
  description: string;
  category: string;
  priceCents: number;
  stock: number;
}

const CATEGORIES: Record<string, { items: string[]; basePriceCents: number }> = {
  laptops: {
    items: ['Ultrabook', 'Workstation', 'Chromebook', 'Gaming Laptop'],
    basePriceCents: 89_900,
  },
  phones: { items: ['Smartphone', 'Foldable Phone', 'Rugged Phone'], basePriceCents: 49_900 },
  audio: { items: ['Headphones', 'Earbuds', 'Speaker', 'Soundbar'], basePriceCents: 7_900 },
  displays: { items: ['Monitor', 'Portable Monitor', 'Ultrawide Monitor'], basePriceCents: 19_900 },
  accessories: {
    items: ['Keyboard', 'Mouse', 'USB-C Hub', 'Laptop Stand', 'Webcam'],
    basePriceCents: 2_900,
  },
};
const EDITIONS = ['Lite', 'Standard', 'Pro', 'Max', 'Studio', 'Travel'];

/**
 * The catalogue seeded on first start: deterministic, so tests and load scripts
 * can rely on it, large enough to page through. Every seventh product is a
 * limited edition with only a few units, to exercise running out of stock.
 */
export function catalogueSeed(): SeedProduct[] {
  const seed: SeedProduct[] = [];
  for (const edition of EDITIONS) {
    for (const [category, { items, basePriceCents }] of Object.entries(CATEGORIES)) {
      for (const item of items) {
        const index = seed.length;
        const limited = index % 7 === 6;
        const tier = EDITIONS.indexOf(edition);
        seed.push({
          name: `${item} ${edition}${limited ? ' Limited Edition' : ''}`,
          description: `${edition} ${item.toLowerCase()} from the ${category} range.`,
          category,
          priceCents: basePriceCents + tier * Math.round(basePriceCents / 4) + (index % 5) * 100,
          stock: limited ? 5 : 10_000,
        });
      }
    }
  }
  return seed;
}
