"""Views of the main blueprint."""

import math

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import _
from flask_login import current_user, login_required

from app import conversations, federation, media, safety
from app import translate as translator
from app.avatars.forms import PictureForm, RemovePictureForm
from app.extensions import db
from app.main.forms import EditProfileForm, EmptyForm, MessageForm, PostForm
from app.models import Message, Notification, Permission, Post, User, utcnow, visibility
from app.pagination import found_page, page_arg, paginate_request
from app.tasks import JobsUnavailable, start_export
from app.translate import detect_language
from app.validators import is_valid_account_name
from app.web.permissions import can
from app.web.security import is_safe_next
from app.web.uploads import accepts_uploads

bp = Blueprint("main", __name__)


def get_user_or_404(username: str) -> User:
    """Return the user with this name (any case), or answer 404 (also for a suspended account, but to moderators)."""
    if not is_valid_account_name(username):
        abort(404)
    user = db.session.scalar(User.by_username(username))
    if user is None or (user.is_suspended and not can(Permission.MODERATE)):
        abort(404)
    return user


def reachable_user_or_404(username: str) -> tuple[User, safety.Relation]:
    """Return the user with this name and the reader's relation to them (one query).

    404 for an unknown name, when they block the reader, or when they are suspended (but to moderators).
    """
    if not is_valid_account_name(username):
        abort(404)
    user, relation = safety.user_with_relation(User.by_username(username), current_user)
    if user is None or relation.blocked_by or (user.is_suspended and not can(Permission.MODERATE)):
        abort(404)
    return user, relation


@bp.route("/", methods=["GET", "POST"])
@bp.route("/index", methods=["GET", "POST"])
@accepts_uploads
@login_required
def index():
    """Show the home timeline and take new posts, with their images."""
    form = PostForm()
    if form.validate_on_submit():
        media_ids = form.store_images(current_user)
        if media_ids is not None:
            body = form.post.data
            try:
                conversations.publish(current_user, body, detect_language(body), media_ids=media_ids)
            except media.CannotAttach as error:
                form.images.errors.append(error.message)
            else:
                db.session.commit()
                flash(_("Your post is now live!"), "success")
                return redirect(url_for("main.index"))
        db.session.rollback()  # the images stored before a refusal go, files included
    # Read by cursor: its links reach page 50 of a long timeline as cheaply as page 1 (app.pagination).
    timeline = current_user.following_posts()
    posts = paginate_request(
        timeline, current_app.config["POSTS_PER_PAGE"], Post.pages_for(current_user), seek=Post.seek
    )
    return render_template("main/index.html", title=_("Home"), form=form, posts=posts, endpoint="main.index")


@bp.route("/explore")
@login_required
def explore():
    """Show everyone's posts, newest first."""
    query = Post.newest_first(sa.select(Post).where(Post.visible_to(current_user)))
    posts = paginate_request(query, current_app.config["POSTS_PER_PAGE"], Post.pages_for(current_user))
    return render_template(
        "main/index.html",
        title=_("Explore"),
        posts=posts,
        trending=conversations.trending_tags(),
        endpoint="main.explore",
    )


@bp.route("/user/<username>")
@login_required
def user(username: str):
    """Show a profile and its posts (404 to someone the user blocks); posts the reader does not see are left out."""
    user, relation = reachable_user_or_404(username)
    posts = paginate_request(
        Post.newest_first(user.posts.select().where(Post.visible_to(current_user))),
        current_app.config["POSTS_PER_PAGE"],
        Post.pages_for(current_user),
    )
    export_task = failed_export = None
    if user == current_user:
        export_task = current_user.get_task_in_progress("export_posts")
        if export_task is None:
            last_export = current_user.get_last_task("export_posts")
            failed_export = last_export if last_export is not None and last_export.failed else None
    return render_template(
        "main/user.html",
        user=user,
        posts=posts,
        form=EmptyForm(),
        export_task=export_task,
        failed_export=failed_export,
        jobs_available=current_app.extensions["tasks"].available() if user == current_user else True,
        relation=relation,
        endpoint="main.user",
        endpoint_args={"username": user.username},
    )


@bp.route("/user/<username>/popup")
@login_required
def user_popup(username: str):
    """Return the hover card of a user (an HTML fragment)."""
    user, relation = reachable_user_or_404(username)
    return render_template("main/user_popup.html", user=user, form=EmptyForm(), relation=relation)


@bp.route("/edit_profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    """Change the current user's name and about-me text (the picture's forms post to app.avatars)."""
    form = EditProfileForm(current_user.username)
    if form.validate_on_submit():
        current_user.username = form.username.data
        current_user.about_me = form.about_me.data.strip() or None
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            form.username.errors.append(_("Please use a different username."))
            return _edit_profile_page(form)
        flash(_("Your changes have been saved."), "success")
        return redirect(url_for("main.edit_profile"))
    if request.method == "GET":
        form.username.data = current_user.username
        form.about_me.data = current_user.about_me
    return _edit_profile_page(form)


def _edit_profile_page(form: EditProfileForm) -> str:
    """Render the profile editor: the name and about-me form, and the picture's own forms (app.avatars)."""
    return render_template(
        "main/edit_profile.html",
        title=_("Edit Profile"),
        form=form,
        picture_form=PictureForm(),
        remove_picture_form=RemovePictureForm(),
    )


def _change_follow(username: str, start: bool):
    """Follow (`start`) or stop following a user, flashing what happened or why nothing did."""
    user = db.session.scalar(User.by_username(username)) if is_valid_account_name(username) else None
    if user is None or user.is_suspended:
        flash(_("User %(username)s not found.", username=username), "warning")
        return redirect(url_for("main.index"))
    if user == current_user:
        flash(_("You cannot follow yourself!"), "warning")
        return redirect(url_for("main.index"))
    if start and safety.blocked_between(current_user, user):
        abort(403)
    if start:
        current_user.follow(user)
        message, category = _("You are following %(username)s!", username=user.username), "success"
    else:
        current_user.unfollow(user)
        message, category = _("You are not following %(username)s.", username=user.username), "info"
    db.session.commit()
    flash(message, category)
    return redirect(url_for("main.user", username=user.username))


@bp.route("/follow/<username>", methods=["POST"])
@login_required
def follow(username: str):
    """Follow a user."""
    return _change_follow(username, start=True)


@bp.route("/unfollow/<username>", methods=["POST"])
@login_required
def unfollow(username: str):
    """Stop following a user."""
    return _change_follow(username, start=False)


@bp.route("/post/<int:id>/delete", methods=["POST"])
@login_required
def delete_post(id: int):
    """Delete one of the current user's posts (a post with replies leaves a tombstone in its thread)."""
    post = db.session.get(Post, id)
    if post is None or post.is_deleted:
        abort(404)
    if post.user_id != current_user.id:
        abort(403)
    conversations.delete(post)
    db.session.commit()
    flash(_("Your post has been deleted."), "info")
    next_page = request.args.get("next")
    return redirect(next_page if is_safe_next(next_page) else url_for("main.index"))


@bp.route("/translate", methods=["POST"])
@login_required
def translate_text():
    """Translate a post: `{post_id, dest_language}` (cached per post and language) or
    `{text, source_language, dest_language}` → `{text}`; 503 when the service is missing or fails."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="Bad Request", message=_("Send a JSON object.")), 400
    if data.get("dest_language") not in current_app.config["LANGUAGES"]:
        return jsonify(error="Bad Request", message=_("dest_language must be one of the site's languages.")), 400
    post_id = data.get("post_id")
    if post_id is not None and (type(post_id) is not int or post_id < 1):
        return jsonify(error="Bad Request", message=_("post_id must be a post number.")), 400
    fields = {name: data.get(name) for name in ("text", "source_language")}
    if post_id is None and (
        not all(isinstance(value, str) and value for value in fields.values()) or len(fields["text"]) > 1000
    ):
        return jsonify(error="Bad Request", message=_("text, source_language and dest_language are required.")), 400
    try:
        if post_id is not None:
            # The stored post is translated, not text from the client, so the cache cannot be poisoned.
            post = db.session.get(Post, post_id)
            if post is None:
                abort(404)
            text = translator.translate_post(post, data["dest_language"])
        else:
            text = translator.translate(fields["text"], fields["source_language"], data["dest_language"])
    except translator.TranslationUnavailable as exc:
        return jsonify(error="Service Unavailable", message=str(exc)), 503
    return jsonify(text=text)


@bp.route("/search")
@login_required
def search():
    """Show posts matching `q`, best first."""
    query = (request.args.get("q") or "").replace("\x00", "").strip()[:200]
    if not query:
        return redirect(url_for("main.explore"))
    handle = federation.parse_handle(query) if current_app.config.get("FEDERATION") else None
    if handle is not None and (account := _account_of_handle(*handle)) is not None:
        return redirect(url_for("main.user", username=account.username))
    page = page_arg()
    per_page = current_app.config["POSTS_PER_PAGE"]
    posts, total = Post.search(
        query, page, per_page, where=Post.visible_to(current_user), load=Post.loader_for(current_user)
    )
    results = found_page(posts, page, per_page, total)
    if page > 1 and not results.items:
        abort(404)
    return render_template(
        "main/search.html",
        title=_("Search"),
        query=query,
        posts=results,
        endpoint="main.search",
        endpoint_args={"q": query},
    )


def _account_of_handle(name: str, host: str) -> User | None:
    """The account a search for `@name@host` finds, here or on its server; None, with a message, when none is."""
    try:
        account = federation.find_account(name, host)
    except federation.LookupFailed:
        db.session.rollback()
        flash(
            _(
                "@%(name)s@%(host)s could not be found: its server did not answer, or has no such account.",
                name=name,
                host=host,
            ),
            "warning",
        )
        return None
    if account is None or account.is_suspended:
        flash(_("User %(username)s not found.", username=name), "warning")
        return None
    db.session.commit()
    return account


@bp.route("/send_message/<recipient>", methods=["GET", "POST"])
@login_required
def send_message(recipient: str):
    """Send a private message and notify its recipient."""
    user, relation = reachable_user_or_404(recipient)
    if user.is_remote:
        abort(404)  # messages stay on this server: another's account has no inbox for them
    form = MessageForm()
    if relation.blocked:
        # A block stops messages both ways; the form says so instead of taking one.
        if request.method == "POST":
            abort(403)
        return render_template(
            "main/send_message.html", title=_("Send Message"), form=None, recipient=user, relation=relation
        )
    if form.validate_on_submit():
        current_user.send_message(user, form.message.data)
        db.session.commit()
        flash(_("Your message has been sent."), "success")
        return redirect(url_for("main.user", username=user.username))
    return render_template(
        "main/send_message.html", title=_("Send Message"), form=form, recipient=user, relation=relation
    )


@bp.route("/messages")
@login_required
def messages():
    """List received messages, newest first, and mark them read."""
    if current_user.unread_message_count():
        # Only a visit that actually reads something new writes to the database.
        current_user.last_message_read_time = utcnow()
        current_user.add_notification("unread_message_count", 0)
        db.session.commit()
    query = (
        current_user.messages_received.select()
        .where(visibility.visible_senders(current_user))
        .options(so.joinedload(Message.author))
        .order_by(Message.timestamp.desc(), Message.id.desc())
    )
    messages = paginate_request(query, current_app.config["POSTS_PER_PAGE"])
    return render_template("main/messages.html", title=_("Messages"), messages=messages, endpoint="main.messages")


@bp.route("/notifications")
@login_required
def notifications():
    """Return the current user's notifications newer than `since`, oldest first."""
    raw = request.args.get("since", "0")
    try:
        since = float(raw)
    except ValueError:
        return jsonify(error="Bad Request", message=_("since must be a number.")), 400
    if not math.isfinite(since):
        return jsonify(error="Bad Request", message=_("since must be a number.")), 400
    query = (
        current_user.notifications.select().where(Notification.timestamp > since).order_by(Notification.timestamp.asc())
    )
    return jsonify(
        [{"name": n.name, "data": n.get_data(), "timestamp": n.timestamp} for n in db.session.scalars(query)]
    )


@bp.route("/export_posts", methods=["POST"])
@login_required
def export_posts():
    """Start exporting the current user's posts by email (one export at a time)."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        task = start_export(current_user)
    except JobsUnavailable:
        flash(_("Exports are unavailable right now. Please try again later."), "danger")
    else:
        # Once started, the export's one status is the live progress banner on every page (base.html).
        if task is None:
            flash(_("An export task is currently in progress"), "warning")
    return redirect(url_for("main.user", username=current_user.username))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    """Remember the chosen interface language (for the account, or the browser session)."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    session["locale"] = code
    next_page = request.form.get("next")
    return redirect(next_page if is_safe_next(next_page) else url_for("main.index"))
