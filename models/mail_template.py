from odoo import models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _portal_access_send_queued(self, res_id, **kwargs):
        """Queue the mail rendered for ``res_id`` and wake the mail queue.

        The module's notices are queued (never sent while the person waits)
        but must not wait for the next hourly run of the mail queue either.

        :param kwargs: passed on to ``send_mail``
        :return: the id of the queued ``mail.mail``
        """
        self.ensure_one()
        mail_id = self.send_mail(
            res_id, email_layout_xmlid="mail.mail_notification_light", **kwargs
        )
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        return mail_id
