import type { AttachmentInfo } from '@protocol';
import { formatSize, isRasterImage, mediaUrl } from '../state/attachments';
import { IconFile } from './AttachmentPicker';
import './AttachmentList.css';

/**
 * The files a user message carried (history `attachments`, spec §4.7): images as thumbnails
 * that open full size, anything else as a chip that downloads it.
 */
export function AttachmentList({ items }: { items?: AttachmentInfo[] }) {
  if (!items?.length) return null;
  return (
    <ul class="msg-attachments" aria-label="Attachments">
      {items.map((a) => (
        <li key={a.id}>
          {isRasterImage(a.mime_type) ? (
            <a class="msg-attachment-img" href={mediaUrl(a.id)} target="_blank" rel="noopener noreferrer" title={a.name}>
              <img src={mediaUrl(a.id)} alt={a.name} loading="lazy" />
            </a>
          ) : (
            <a class="msg-attachment-file" href={mediaUrl(a.id)} download={a.name} title={`Download ${a.name}`}>
              <IconFile />
              <span class="msg-attachment-name">{a.name}</span>
              <span class="msg-attachment-size">{formatSize(a.size)}</span>
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}
