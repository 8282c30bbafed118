import type { ToolDefinition } from '../types.js';
import { urlExtractTool } from './url-extract.js';
import { createWebSearchTool, DEFAULT_ENDPOINTS, type SearchEndpoints } from './web-search.js';

/** The tools that bring outside text in: `web_search` and `url_extract`. */
export function createWebTools(endpoints: SearchEndpoints = DEFAULT_ENDPOINTS): ToolDefinition[] {
  return [createWebSearchTool(endpoints), urlExtractTool] as unknown as ToolDefinition[];
}
