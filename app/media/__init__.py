"""The media service: images on posts, checked, stripped of metadata, stored and served.

Interface for the views, the API and the export (all take and return `app.models.Media` rows):

- `store(owner, file_bytes, alt) -> Media`: check and re-encode an upload (app.media.processing)
  and save its two variants, unattached; the caller commits. Raises a `MediaError`: `NotAnImage`
  (status 400), `ImageTooLarge` (413) or `InvalidAltText` (400); `error.message` is for the person
  (lazily translated), `error.status` for the API. Files of a transaction that rolls back are removed.
- `attach(media_ids, post, owner) -> list[Media]`: attach the poster's own unattached images (at
  most 4, in the order given, positions 0-3); raises `CannotAttach` (400) otherwise.
- `for_posts(post_ids) -> {post_id: [Media, ...]}`: a page's images in one query;
  `images_of(posts)` the same for the posts whose `media_count` says they carry any (none: no query).
- `url(media, variant="preview"|"original", external=False)`: where the image is served
  (`/media/<key>/<variant>`, the `media_files` blueprint).
- `storage().read(media.file_name(variant))`: the bytes (for the export).
- `image_hosts()`: the origin of S3_PUBLIC_URL when the bucket's files are served from there (the
  content security policy lets pages load images from it), else nothing.
- `delete_for_posts(post_ids)`, `delete_for_user(user_id)`: rows now, files once the transaction
  commits (called by app.conversations and app.accounts).
- `prune(older_than)`: unattached images and row-less files older than a day (`flask media prune`);
  the files of a profile picture (`User.avatar_key`, app.avatars) are kept.
- For files that are not a Media row's (profile pictures): `save_files(files, content_type)` (removed
  if the transaction rolls back), `delete_files_after_commit(names)`, and `send_stored(name,
  content_type)`, the response that serves one, as /media/ does (long cache, nosniff).

Storage (app.media.storage): the local directory UPLOAD_DIR (default `instance/uploads`), or an
S3-compatible bucket when S3_BUCKET is set. Limits: MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, MEDIA_PREVIEW_SIZE.
Note that a form or API request carrying an image must also fit in MAX_CONTENT_LENGTH.
"""

from app.media.processing import ImageTooLarge, MediaError, NotAnImage
from app.media.service import (
    CannotAttach,
    InvalidAltText,
    MediaService,
    PruneReport,
    attach,
    delete_files_after_commit,
    delete_for_posts,
    delete_for_user,
    for_posts,
    image_hosts,
    images_of,
    init_app,
    prune,
    save_files,
    send_stored,
    service,
    storage,
    store,
    url,
)

__all__ = [
    "CannotAttach",
    "ImageTooLarge",
    "InvalidAltText",
    "MediaError",
    "MediaService",
    "NotAnImage",
    "PruneReport",
    "attach",
    "delete_for_posts",
    "delete_for_user",
    "for_posts",
    "image_hosts",
    "images_of",
    "init_app",
    "delete_files_after_commit",
    "prune",
    "save_files",
    "send_stored",
    "service",
    "storage",
    "store",
    "url",
]
