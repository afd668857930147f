import type { ProductDto } from '@obs/api-contracts';
import type { AgentDefinition } from './agent-definition';
import { formatMoney } from './formatting';

/** What the catalog agent looks for, read from the request with fixed rules. */
export interface CatalogPlan {
  /** Words to search for, in the order given; empty when the request names none. */
  keywords: string[];
  /** The most the caller wants to pay ("under 1500"), when they say. */
  maxPrice?: number;
  /** A catalogue category the request mentions: searched when the keywords match nothing. */
  category?: string;
}

/** Recommends a product from the catalogue that matches the request and its budget. */
export const catalogAgent: AgentDefinition<CatalogPlan> = {
  type: 'catalog',
  description:
    'Finds products matching your words and budget ("a laptop under 1500") and recommends one.',
  tools: ['search_products', 'get_product'],

  plan: ({ input }) => planCatalogSearch(input),

  async act(plan, run, tools) {
    const query = plan.keywords.join(' ');
    let page = await run.call(
      tools.searchProducts,
      query,
      query ? `search the catalogue for "${query}"` : 'browse the catalogue',
    );
    let notice = '';
    if (page.total === 0 && query) {
      const fallback = plan.category !== query ? (plan.category ?? '') : '';
      page = await run.call(
        tools.searchProducts,
        fallback,
        fallback
          ? `nothing matched "${query}": search the ${fallback} category`
          : `nothing matched "${query}": browse the catalogue`,
      );
      notice = fallback
        ? `Nothing matched "${query}", so I looked in ${fallback}. `
        : `Nothing matched "${query}", so I browsed the catalogue. `;
    }
    if (page.items.length === 0) return `${notice}I found no products to recommend.`;

    const [best, ...others] = rankProducts(page.items, plan);
    if (!best) return notice + nothingSuitable(page.items, plan);
    const product = await run.call(
      tools.getProduct,
      best.id,
      `check the current price and stock of ${best.name}`,
    );
    return notice + recommendation(product, others.slice(0, 2), plan);
  },
};

/** Longest query product-service accepts. */
const MAX_QUERY_LENGTH = 100;
const MAX_KEYWORDS = 5;

const PRICE_CEILING =
  /\b(?:under|below|less than|cheaper than|up to|at most|no more than|max(?:imum)?|budget(?: of)?)\s*(?:[$€£]\s*)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)/i;

/** Words that say how to search rather than what for. */
const STOPWORDS = new Set(
  (
    'about above also am an and any anything are around at be best budget buy can cheap cheaper could do does ' +
    'dollars eur euro euros find for from get give good great have help in is it like looking look me mine ' +
    'most my need new nice of on one or please price priced prices recommend recommendation search show some ' +
    'something suggest than that the there this to under up usd want what which with would you your'
  ).split(' '),
);

/** Words that name a category of the catalogue. */
const CATEGORY_WORDS: Record<string, string> = {
  laptop: 'laptops',
  laptops: 'laptops',
  notebook: 'laptops',
  notebooks: 'laptops',
  computer: 'laptops',
  phone: 'phones',
  phones: 'phones',
  smartphone: 'phones',
  smartphones: 'phones',
  mobile: 'phones',
  audio: 'audio',
  headphones: 'audio',
  headphone: 'audio',
  headset: 'audio',
  earbuds: 'audio',
  speaker: 'audio',
  speakers: 'audio',
  music: 'audio',
  display: 'displays',
  displays: 'displays',
  monitor: 'displays',
  monitors: 'displays',
  screen: 'displays',
  screens: 'displays',
  accessory: 'accessories',
  accessories: 'accessories',
  keyboard: 'accessories',
  mouse: 'accessories',
  webcam: 'accessories',
  hub: 'accessories',
};

export function planCatalogSearch(input: string): CatalogPlan {
  const keywords = extractKeywords(input.replace(PRICE_CEILING, ' '));
  return { keywords, maxPrice: extractPriceCeiling(input), category: findCategory(keywords) };
}

/** "under 1500", "below $1,200.50", "budget of 300" → the amount; undefined when there is none. */
export function extractPriceCeiling(input: string): number | undefined {
  const match = PRICE_CEILING.exec(input);
  return match ? Number(match[1].replace(/,/g, '')) : undefined;
}

/** The words worth searching for: lower case, no stopwords or bare numbers, short enough for one query. */
export function extractKeywords(text: string): string[] {
  const keywords: string[] = [];
  for (const word of new Set(text.toLowerCase().split(/[^a-z0-9-]+/))) {
    const candidate = word.replace(/^-+|-+$/g, '');
    if (candidate.length < 2 || /^\d+$/.test(candidate) || STOPWORDS.has(candidate)) continue;
    if (keywords.includes(candidate) || keywords.length === MAX_KEYWORDS) continue;
    if ([...keywords, candidate].join(' ').length > MAX_QUERY_LENGTH) continue;
    keywords.push(candidate);
  }
  return keywords;
}

export function findCategory(keywords: string[]): string | undefined {
  return keywords.map((keyword) => CATEGORY_WORDS[keyword]).find(Boolean);
}

/**
 * The products worth recommending, best first: in stock and within budget,
 * ranked by how many keywords they match plus one for being in the category
 * the request names (a laptop before a laptop stand), then the cheaper.
 */
export function rankProducts(items: ProductDto[], plan: CatalogPlan): ProductDto[] {
  const score = (product: ProductDto) => {
    const text = `${product.name} ${product.description} ${product.category}`.toLowerCase();
    const hits = plan.keywords.filter((keyword) => text.includes(keyword)).length;
    return hits + (product.category === plan.category ? 1 : 0);
  };
  return items
    .filter(
      (product) =>
        product.stock > 0 && (plan.maxPrice === undefined || product.price <= plan.maxPrice),
    )
    .sort((a, b) => score(b) - score(a) || a.price - b.price);
}

function nothingSuitable(items: ProductDto[], plan: CatalogPlan): string {
  const [cheapest] = [...items].sort((a, b) => a.price - b.price);
  if (plan.maxPrice !== undefined && cheapest.price > plan.maxPrice) {
    return (
      `Nothing I found costs ${formatMoney(plan.maxPrice)} or less; ` +
      `the cheapest match is ${cheapest.name} at ${formatMoney(cheapest.price)}.`
    );
  }
  return 'Nothing I found is in stock right now.';
}

function recommendation(product: ProductDto, others: ProductDto[], plan: CatalogPlan): string {
  const budget =
    plan.maxPrice !== undefined && product.price <= plan.maxPrice
      ? `, within your budget of ${formatMoney(plan.maxPrice)}`
      : '';
  const stock = product.stock > 0 ? `${product.stock} in stock` : 'out of stock right now';
  const alternatives = others
    .map((other) => `${other.name} (${formatMoney(other.price)})`)
    .join(', ');
  return (
    `I recommend ${product.name} (${product.category}) at ${formatMoney(product.price)}${budget}: ` +
    `${product.description} ${stock}.` +
    (alternatives ? ` Also worth a look: ${alternatives}.` : '')
  );
}
