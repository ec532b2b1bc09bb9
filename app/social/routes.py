"""Views of the social blueprint: a post's thread, likes and reposts, tag pages and activity."""

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import _
from flask_login import current_user, login_required

from app import conversations, media, safety
from app.extensions import db
from app.models import Post
from app.pagination import page_arg, paginate_request
from app.social.entries import PostEntries
from app.social.forms import ReplyForm
from app.translate import detect_language
from app.validators import is_valid_id
from app.web.security import is_safe_next
from app.web.uploads import accepts_uploads

bp = Blueprint("social", __name__)
bp.add_app_template_global(PostEntries, "post_entries")

# Replies shown per page of a thread.
REPLIES_PER_PAGE = 50


def post_or_404(id: int) -> Post:
    """Return the post with this id, tombstones included, or answer 404.

    Also 404 when the post shown (the reposted one, for a repost) is by someone who blocks the
    reader or whom the reader blocks, or by a suspended account.
    """
    post = db.session.get(Post, id) if is_valid_id(id) else None
    if post is None or not all(safety.may_reach(current_user, p.author) for p in {post, post.shown}):
        abort(404)
    return post


def thread_or_404(id: int) -> tuple[Post, list[Post]]:
    """Return the post a thread page shows and the posts it answers, or answer 404 as `post_or_404` does.

    One query reads the post and its chain (`conversations.thread_head`); a repost's page shows
    the reposted post's thread, whose chain takes one more.
    """
    found = conversations.thread_head(id, current_user) if is_valid_id(id) else None
    if found is None:
        abort(404)
    post, ancestors = found
    if post.shown is not post:
        post = post.shown
        ancestors = conversations.ancestors(post, current_user)
    return post, ancestors


@bp.route("/post/<int:id>", methods=["GET", "POST"])
@accepts_uploads
@login_required
def thread(id: int):
    """Show a post with the posts it answers and its replies, and take a reply with its images."""
    post, ancestors = thread_or_404(id)
    form = ReplyForm()
    if not post.is_deleted and form.validate_on_submit():
        media_ids = form.store_images(current_user)
        if media_ids is not None:
            body = form.post.data
            try:
                reply = conversations.publish(
                    current_user, body, detect_language(body), in_reply_to=post, media_ids=media_ids
                )
            except conversations.CannotReply:
                db.session.rollback()
                abort(403)
            except media.CannotAttach as error:
                form.images.errors.append(error.message)
            else:
                db.session.commit()
                flash(_("Your reply is now live!"), "success")
                return redirect(url_for("social.thread", id=reply.id))
        db.session.rollback()  # the images stored before a refusal go, files included
    replies = paginate_request(
        conversations.descendants(post, current_user), REPLIES_PER_PAGE, Post.oldest_first_pages_for(current_user)
    )
    conversations.annotate([*ancestors, post, *replies.items], current_user)  # their images, if any
    return render_template(
        "social/thread.html",
        title=_("Thread"),
        post=post,
        ancestors=ancestors,
        replies=replies,
        form=form,
        endpoint="social.thread",
        endpoint_args={"id": post.id},
    )


def _react(id: int, change, done_message: str):
    """Apply a like or repost toggle; answer JSON to the page's script, or go back to the page."""
    try:
        post = change(current_user, post_or_404(id))
    except conversations.CannotReact:
        abort(404)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(
            post_id=post.id,
            liked=post.reader_liked,
            reposted=post.reader_reposted,
            likes_count=post.likes_count,
            reposts_count=post.reposts_count,
        )
    flash(done_message, "success")
    next_page = request.form.get("next")
    return redirect(next_page if is_safe_next(next_page) else url_for("social.thread", id=post.id))


@bp.route("/post/<int:id>/like", methods=["POST"])
@login_required
def like(id: int):
    """Like a post."""
    return _react(id, conversations.like, _("You liked this post."))


@bp.route("/post/<int:id>/unlike", methods=["POST"])
@login_required
def unlike(id: int):
    """Take back a like."""
    return _react(id, conversations.unlike, _("You no longer like this post."))


@bp.route("/post/<int:id>/repost", methods=["POST"])
@login_required
def repost(id: int):
    """Repost a post to your followers."""
    return _react(id, conversations.repost, _("You reposted this post."))


@bp.route("/post/<int:id>/unrepost", methods=["POST"])
@login_required
def unrepost(id: int):
    """Take back a repost."""
    return _react(id, conversations.unrepost, _("Your repost has been removed."))


@bp.route("/tag/<tag>")
@login_required
def tag(tag: str):
    """List the posts with a hashtag, newest first."""
    if not conversations.is_tag(tag):
        abort(404)
    canonical = conversations.canonical_tag(tag)
    if canonical != tag:
        return redirect(url_for("social.tag", tag=canonical, **request.args))
    posts = conversations.tag_page(canonical, page_arg(), current_app.config["POSTS_PER_PAGE"], current_user)
    if posts.page > 1 and not posts.items:
        abort(404)
    return render_template(
        "social/tag.html",
        title=f"#{canonical}",
        tag=canonical,
        posts=posts,
        endpoint="social.tag",
        endpoint_args={"tag": canonical},
    )


@bp.route("/activity")
@login_required
def activity():
    """List what others did to your posts and account, newest first, and mark it read."""
    page = page_arg()
    read_until = current_user.last_activity_read_time
    conversations.mark_read(current_user)
    entries = conversations.activity_page(current_user, page, current_app.config["POSTS_PER_PAGE"], read_until)
    if entries.page > 1 and not entries.items:
        abort(404)
    return render_template("social/activity.html", title=_("Activity"), entries=entries, endpoint="social.activity")
