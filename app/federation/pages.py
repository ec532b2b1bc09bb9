"""The federation blueprint's site pages: the administrators' list of blocked domains."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import _

from app.extensions import db
from app.federation import domains
from app.federation.forms import DomainBlockForm
from app.federation.routes import bp
from app.models import Permission
from app.web.permissions import permission_required


@bp.route("/admin/domain_blocks", methods=["GET", "POST"])
@permission_required(Permission.ADMIN)
def domain_blocks():
    """List the blocked domains and block one more."""
    form = DomainBlockForm()
    if form.validate_on_submit():
        entry = domains.block(form.domain.data, form.reason.data or "")
        db.session.commit()
        flash(
            _("%(domain)s is blocked: its deliveries are refused and nothing is sent to it.", domain=entry.domain),
            "success",
        )
        return redirect(url_for("federation.domain_blocks"))
    return render_template(
        "federation/domain_blocks.html", title=_("Blocked domains"), form=form, blocks=domains.blocks()
    )


@bp.route("/admin/domain_blocks/<domain>/unblock", methods=["POST"])
@permission_required(Permission.ADMIN)
def unblock_domain(domain: str):
    """Federate with a blocked domain again."""
    if not domains.unblock(domain):
        abort(404)
    db.session.commit()
    flash(_("%(domain)s is no longer blocked.", domain=domains.canonical(domain)), "success")
    return redirect(url_for("federation.domain_blocks"))
