import type { ProductDto } from '@obs/api-contracts';
import {
  extractKeywords,
  extractPriceCeiling,
  planCatalogSearch,
  rankProducts,
} from './catalog.agent';

describe('catalog planning', () => {
  it.each([
    ['find a laptop under 1500', 1500],
    ['headphones below 200', 200],
    ['a monitor for less than $349.99', 349.99],
    ['phone, budget of 1,200 euros', 1200],
    ['UNDER 80 please', 80],
    ['a laptop with 16 GB of memory', undefined],
    ['a monitor of 27 inches', undefined],
  ])('reads the price ceiling of %j as %p', (input, ceiling) => {
    expect(extractPriceCeiling(input)).toBe(ceiling);
  });

  it('keeps the words that name what to find, dropping stopwords, numbers and repeats', () => {
    expect(
      extractKeywords('Please find me a GOOD gaming laptop, a gaming laptop with 16 GB'),
    ).toEqual(['gaming', 'laptop', 'gb']);
    expect(extractKeywords('USB-C hub')).toEqual(['usb-c', 'hub']);
    expect(extractKeywords('what do you recommend?')).toEqual([]);
  });

  it('keeps the search short enough for product-service (five words, 100 characters)', () => {
    expect(extractKeywords('red green blue white black pink')).toEqual([
      'red',
      'green',
      'blue',
      'white',
      'black',
    ]);
    const long = `${'a'.repeat(60)} ${'b'.repeat(30)} ${'c'.repeat(20)} dock`;
    expect(extractKeywords(long)).toEqual(['a'.repeat(60), 'b'.repeat(30), 'dock']);
  });

  it('plans keywords without the price phrase, the ceiling and the category to fall back on', () => {
    expect(planCatalogSearch('find a laptop under 1500')).toEqual({
      keywords: ['laptop'],
      maxPrice: 1500,
      category: 'laptops',
    });
    expect(planCatalogSearch('wireless earbuds below 200')).toEqual({
      keywords: ['wireless', 'earbuds'],
      maxPrice: 200,
      category: 'audio',
    });
    expect(planCatalogSearch('something shiny')).toEqual({
      keywords: ['shiny'],
      maxPrice: undefined,
      category: undefined,
    });
  });

  it('ranks products in stock and within budget, the best keyword match first, then the cheaper', () => {
    const product = (id: number, name: string, price: number, stock = 10): ProductDto => ({
      id,
      name,
      description: `${name.toLowerCase()} from the audio range.`,
      category: 'audio',
      price,
      stock,
    });
    const items = [
      product(1, 'Speaker Lite', 79),
      product(2, 'Earbuds Pro', 150),
      product(3, 'Earbuds Lite', 99),
      product(4, 'Earbuds Max', 250),
      product(5, 'Earbuds Studio', 120, 0),
    ];
    const plan = { keywords: ['wireless', 'earbuds'], maxPrice: 200, category: 'audio' };
    expect(rankProducts(items, plan).map((item) => item.id)).toEqual([3, 2, 1]);
    expect(rankProducts(items, { keywords: [] }).map((item) => item.id)).toEqual([1, 3, 2, 4]);
  });

  it('ranks products of the category the request names above cheaper products that merely mention it', () => {
    const items: ProductDto[] = [
      {
        id: 1,
        name: 'Laptop Stand Lite',
        description: 'Lite laptop stand from the accessories range.',
        category: 'accessories',
        price: 31,
        stock: 9,
      },
      {
        id: 2,
        name: 'Ultrabook Lite',
        description: 'Lite ultrabook from the laptops range.',
        category: 'laptops',
        price: 899,
        stock: 9,
      },
    ];
    const [best] = rankProducts(items, planCatalogSearch('find a laptop under 1500'));
    expect(best.name).toBe('Ultrabook Lite');
  });
});
