/**
 * Deterministic synthetic conversation text for the benchmarks: a seeded PRNG, a word list,
 * and English-like messages of 60–150 characters.
 */

/** mulberry32: small, fast, good enough for test data; same seed → same dataset. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

export function randInt(rand: Rand, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

const HEX = '0123456789abcdef';
export function hex(rand: Rand, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[Math.floor(rand() * 16)];
  return s;
}

/** A v4-shaped UUID, as PocketPaw's dashboard session ids use (`websocket_<uuid>`). */
export function uuid(rand: Rand): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-${pick(rand, ['8', '9', 'a', 'b'])}${hex(rand, 3)}-${hex(rand, 12)}`;
}

/** The rare word: planted in exactly RARE_COUNT messages of each dataset. */
export const RARE_WORD = 'zanzibarquux';
export const RARE_COUNT = 5;
/** A CJK phrase planted beside the rare word: substring search must find it without spaces around it. */
export const RARE_CJK = '星空観測所';
/** The common word: in about COMMON_FRACTION of all messages. */
export const COMMON_WORD = 'garden';
export const COMMON_FRACTION = 0.4;

// None of these contains "garden" or "zanzibarquux" as a substring.
const WORDS = [
  'the', 'a', 'an', 'and', 'or', 'but', 'so', 'if', 'then', 'when', 'while', 'because', 'with', 'without',
  'about', 'into', 'over', 'under', 'after', 'before', 'from', 'to', 'of', 'in', 'on', 'for', 'by', 'at',
  'I', 'you', 'we', 'they', 'it', 'this', 'that', 'these', 'those', 'my', 'your', 'our', 'their',
  'can', 'could', 'should', 'would', 'will', 'might', 'must', 'do', 'does', 'did', 'have', 'has', 'had',
  'is', 'are', 'was', 'were', 'be', 'been', 'get', 'make', 'take', 'give', 'find', 'keep', 'let', 'help',
  'think', 'know', 'want', 'need', 'try', 'use', 'look', 'see', 'tell', 'ask', 'show', 'plan', 'write',
  'read', 'cook', 'travel', 'build', 'fix', 'learn', 'explain', 'compare', 'check', 'remember', 'schedule',
  'recipe', 'lemon', 'pasta', 'bread', 'coffee', 'tea', 'dinner', 'breakfast', 'market', 'kitchen',
  'trip', 'train', 'flight', 'hotel', 'museum', 'beach', 'mountain', 'river', 'city', 'village', 'map',
  'budget', 'invoice', 'report', 'meeting', 'email', 'letter', 'project', 'deadline', 'team', 'client',
  'code', 'server', 'database', 'query', 'index', 'script', 'function', 'error', 'test', 'release',
  'book', 'chapter', 'story', 'poem', 'song', 'movie', 'photo', 'camera', 'bicycle', 'car', 'bus',
  'weather', 'rain', 'sun', 'snow', 'wind', 'morning', 'evening', 'weekend', 'today', 'tomorrow',
  'yesterday', 'week', 'month', 'year', 'hour', 'minute', 'time', 'idea', 'question', 'answer', 'list',
  'simple', 'quick', 'slow', 'cheap', 'expensive', 'better', 'best', 'small', 'large', 'new', 'old',
  'good', 'great', 'nice', 'hard', 'easy', 'early', 'late', 'warm', 'cold', 'fresh', 'quiet', 'busy',
  'really', 'maybe', 'probably', 'also', 'just', 'only', 'still', 'again', 'very', 'quite', 'perhaps',
  'tomato', 'basil', 'onion', 'garlic', 'potato', 'apple', 'orange', 'cherry', 'flower', 'tree', 'seed',
  'soil', 'water', 'fence', 'path', 'window', 'door', 'room', 'house', 'street', 'park', 'neighbour',
  'friend', 'family', 'sister', 'brother', 'parent', 'child', 'dog', 'cat', 'bird', 'horse', 'fish',
  'please', 'thanks', 'sure', 'okay', 'right', 'exactly', 'indeed', 'great', 'sounds', 'works',
];

const ENDINGS = ['.', '.', '.', '?', '!'];

/**
 * One message of 60–150 characters (ending included). `extra` words (the common or the rare
 * word) are put at random positions among the filler words.
 */
export function sentence(rand: Rand, extra: readonly string[] = []): string {
  const target = randInt(rand, 60, 150);
  const words: string[] = [...extra];
  // Length of words.join(' ') plus the final punctuation mark.
  let len = extra.reduce((n, w) => n + w.length + 1, 0);
  for (;;) {
    const w = pick(rand, WORDS);
    const next = len + w.length + 1;
    if (next > 150) break;
    words.splice(randInt(rand, 0, words.length), 0, w);
    len = next;
    if (len >= target) break;
  }
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + pick(rand, ENDINGS);
}
