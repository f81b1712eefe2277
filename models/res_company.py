from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _get_public_user(self):
        # Core returns the first user of the company in the public group,
        # archived included, and a portal user whose access was revoked is
        # archived in that very group. Such a user must never become the
        # anonymous user of a website, so core only gets to choose among real
        # public users; when none is left it creates one as it always does.
        self.ensure_one()
        public_users = (
            # sudo: public users of every company are looked at, as core does
            self.env.ref("base.group_public")
            .sudo()
            .with_context(active_test=False)
            .all_user_ids
        )
        company_users = public_users.filtered(lambda user: user.company_id == self)
        real = company_users._portal_access_public_users()
        if real == company_users:  # no former portal user among them
            return super()._get_public_user()
        # In core's order, without the former portal users.
        candidates = company_users.filtered(lambda user: user in real)
        if candidates:
            return candidates[0]
        return (
            self.env.ref("base.public_user")
            .sudo()
            .copy(
                {
                    "name": f"Public user for {self.name}",
                    "login": f"public-user@company-{self.id}.com",
                    "company_id": self.id,
                    "company_ids": [(6, 0, [self.id])],
                }
            )
        )
