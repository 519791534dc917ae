/**
 * A region that takes dropped files and folders (walked into files, see picked-files.ts) and shows that it
 * will while something is dragged over it. Keyboard users get the same through the upload buttons; the
 * region only adds the mouse path.
 */
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { describeError } from '../errors.ts';
import { filesFromDrop } from '../upload/picked-files.ts';
import type { PickedFile } from '../upload/picked-files.ts';

/** Props of {@link DropZone}. */
export interface DropZoneProps {
  /** What a drop uploads to, for the overlay ("Drop to upload to photos/"). */
  target: string;
  onFiles: (files: PickedFile[]) => void;
  onError: (message: string) => void;
  children: ComponentChildren;
}

const carriesFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');

/** A drop target for files and folders. */
export function DropZone({ target, onFiles, onError, children }: DropZoneProps) {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them to know when the pointer really left.
  const depth = useRef(0);
  return (
    <section
      class={over ? 'drop-zone drag-over' : 'drop-zone'}
      aria-label="Folder contents"
      onDragEnter={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setOver(true);
      }}
      onDragOver={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        if (!e.dataTransfer) return;
        filesFromDrop(e.dataTransfer).then(
          (files) => files.length > 0 && onFiles(files),
          (err: unknown) => onError(describeError(err)),
        );
      }}
    >
      {children}
      {over && (
        <div class="drop-overlay" aria-hidden="true">
          Drop to upload to {target}
        </div>
      )}
    </section>
  );
}
