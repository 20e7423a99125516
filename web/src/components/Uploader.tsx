// Upload: file picker, drag-and-drop onto the drop zone or anywhere on the page, paste, and
// "From a URL" (the server fetches the image). Each file is sent with XMLHttpRequest so the
// progress bar shows real upload progress; a URL job shows an indeterminate "Fetching…" bar.
// A 4xx/5xx shows the server's error message.
import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { api, errorMessage, type Palette } from '../api';
import { checkImageUrl, uploadFromUrl, urlLabel } from '../api-upload';
import './UrlUpload.css';

interface Job {
  key: number;
  name: string;
  progress: number | null; // 0..1, null = unknown
  state: 'uploading' | 'fetching' | 'processing' | 'done' | 'error';
  error?: string;
}

interface Props {
  slug: string;
  /** Called for each palette the server created, in upload order. */
  onUploaded: (palette: Palette, fromBatchOfOne: boolean) => void;
}

let nextKey = 1;

function hasFiles(e: { dataTransfer: DataTransfer | null }): boolean {
  const types = e.dataTransfer?.types;
  return !!types && Array.from(types).includes('Files');
}

export function Uploader({ slug, onUploaded }: Props) {
  const [jobs, setJobs] = useState<Job[]>([]);
  const [dragging, setDragging] = useState(false);
  const [url, setUrl] = useState('');
  const [urlError, setUrlError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const depth = useRef(0);
  // Keep the latest callback without re-binding the window listeners on every render.
  const onUploadedRef = useRef(onUploaded);
  onUploadedRef.current = onUploaded;

  const update = (key: number, patch: Partial<Job>) =>
    setJobs((js) => js.map((j) => (j.key === key ? { ...j, ...patch } : j)));

  const uploadFiles = useCallback(
    async (files: File[]) => {
      if (files.length === 0) return;
      const batch = files.map((f) => ({ key: nextKey++, name: f.name || 'image', progress: 0, state: 'uploading' as const }));
      setJobs((js) => [...batch, ...js.filter((j) => j.state !== 'done')].slice(0, 8));
      for (let i = 0; i < files.length; i++) {
        const job = batch[i];
        try {
          const res = await api.upload(slug, files[i], (p) =>
            update(job.key, p !== null && p >= 1 ? { progress: 1, state: 'processing' } : { progress: p }),
          );
          update(job.key, { progress: 1, state: 'done' });
          onUploadedRef.current(res.palette, files.length === 1);
        } catch (err) {
          update(job.key, { state: 'error', error: errorMessage(err) });
        }
      }
    },
    [slug],
  );

  const uploadUrl = async (e: FormEvent) => {
    e.preventDefault();
    const problem = checkImageUrl(url);
    setUrlError(problem);
    if (problem) return;
    const target = url.trim();
    const job: Job = { key: nextKey++, name: urlLabel(target), progress: null, state: 'fetching' };
    setJobs((js) => [job, ...js.filter((j) => j.state !== 'done')].slice(0, 8));
    setUrl('');
    try {
      const res = await uploadFromUrl(slug, target);
      update(job.key, { progress: 1, state: 'done' });
      onUploadedRef.current(res.palette, true);
    } catch (err) {
      update(job.key, { state: 'error', error: errorMessage(err) });
    }
  };

  // Page-wide drop target and paste. Drops on the zone itself are handled (and stopped) there.
  useEffect(() => {
    const onDragEnter = (e: globalThis.DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current++;
      setDragging(true);
    };
    const onDragOver = (e: globalThis.DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onDragLeave = (e: globalThis.DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const onDrop = (e: globalThis.DragEvent) => {
      depth.current = 0;
      setDragging(false);
      if (!e.dataTransfer || e.dataTransfer.files.length === 0) return;
      e.preventDefault();
      void uploadFiles(Array.from(e.dataTransfer.files));
    };
    const onPaste = (e: ClipboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      const files = Array.from(e.clipboardData?.files ?? []).filter((f) => f.type.startsWith('image/'));
      if (files.length) {
        e.preventDefault();
        void uploadFiles(files);
      }
    };
    window.addEventListener('dragenter', onDragEnter);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', onDragLeave);
    window.addEventListener('drop', onDrop);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('dragenter', onDragEnter);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('dragleave', onDragLeave);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener('paste', onPaste);
    };
  }, [uploadFiles]);

  const onZoneDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.stopPropagation();
    depth.current = 0;
    setDragging(false);
    void uploadFiles(Array.from(e.dataTransfer.files));
  };

  const busy = jobs.some((j) => j.state === 'uploading' || j.state === 'fetching' || j.state === 'processing');

  return (
    <section className="uploader" aria-label="Upload images">
      <div
        className={'dropzone' + (dragging ? ' dropzone--active' : '')}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }}
        onDrop={onZoneDrop}
        data-testid="dropzone"
      >
        <svg className="dropzone__icon" viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
          <path d="M12 16V4M7 9l5-5 5 5" />
          <path d="M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3" />
        </svg>
        <div className="dropzone__text">
          <strong>Drop images here</strong>
          <span className="muted"> or paste, or </span>
          <label className="btn btn--primary btn--sm dropzone__pick">
            Choose files
            <input
              ref={inputRef}
              className="visually-hidden"
              type="file"
              accept="image/jpeg,image/png,image/webp,image/gif,image/tiff,image/avif,.jpg,.jpeg,.png,.webp,.gif,.tif,.tiff,.avif"
              multiple
              onChange={(e) => {
                const files = Array.from(e.target.files ?? []);
                e.target.value = '';
                void uploadFiles(files);
              }}
              data-testid="file-input"
            />
          </label>
          <div className="hint">JPEG, PNG, WebP, GIF, TIFF or AVIF</div>
        </div>
      </div>
      <form className="url-upload" onSubmit={uploadUrl} noValidate>
        <label className="url-upload__label" htmlFor="url-upload-input">
          From a URL
        </label>
        <input
          id="url-upload-input"
          type="text"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://example.com/photo.jpg"
          value={url}
          aria-invalid={urlError ? true : undefined}
          aria-describedby={urlError ? 'url-upload-error' : undefined}
          onChange={(e) => {
            setUrl(e.target.value);
            if (urlError) setUrlError(null);
          }}
          data-testid="url-input"
        />
        <button type="submit" className="btn btn--sm" data-testid="url-submit">
          Fetch image
        </button>
      </form>
      {urlError && (
        <p id="url-upload-error" className="alert alert--error url-upload__error" role="alert" data-testid="url-error">
          {urlError}
        </p>
      )}
      {jobs.length > 0 && (
        <ul className="jobs" aria-live="polite" aria-busy={busy}>
          {jobs.map((j) => (
            <li key={j.key} className={'job job--' + j.state} data-testid="upload-job">
              <div className="job__row">
                <span className="job__name" title={j.name}>
                  {j.name}
                </span>
                <span className="job__state">
                  {j.state === 'uploading' && (j.progress === null ? 'Uploading…' : `${Math.round(j.progress * 100)}%`)}
                  {j.state === 'fetching' && 'Fetching…'}
                  {j.state === 'processing' && 'Extracting palette…'}
                  {j.state === 'done' && 'Done'}
                  {j.state === 'error' && 'Failed'}
                </span>
              </div>
              {j.state !== 'error' ? (
                <progress
                  className="progress"
                  max={1}
                  value={j.state === 'uploading' ? (j.progress ?? undefined) : j.state === 'fetching' ? undefined : 1}
                  aria-label={j.state === 'fetching' ? `Fetching ${j.name}` : `Uploading ${j.name}`}
                />
              ) : (
                <p className="alert alert--error job__error" role="alert" data-testid="upload-error">
                  {j.error}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-overlay__box">Drop to make a palette</div>
        </div>
      )}
    </section>
  );
}
