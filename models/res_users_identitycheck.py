from odoo import models
from odoo.exceptions import AccessDenied, UserError


class ResUsersIdentitycheck(models.TransientModel):
    """Core's password dialog of ``@check_identity`` (back office and the
    portal's JavaScript), limited like the portal's own password prompts:
    after ``IDENTITY_CHECK_LIMIT`` wrong passwords in an hour, the user is
    refused, even with the right password, until the hour has passed."""

    _inherit = "res.users.identitycheck"

    def _check_identity(self):  # pylint: disable=missing-return
        # Core checks the credentials of the user who opened the dialog.
        user = self.create_uid
        try:
            user._portal_access_identity_check_assert_allowed()
        except AccessDenied as error:
            raise UserError(error.args[0]) from None
        try:
            super()._check_identity()
        except UserError:
            user._portal_access_identity_check_failed()
            raise
        user._portal_access_identity_check_passed()
