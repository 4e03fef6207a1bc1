from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "defensor.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from defensor.accounts import signals  # noqa: F401
        from defensor.accounts.selectors import grants_for_user
        from defensor.core.permissions import register_grant_resolver

        register_grant_resolver(grants_for_user)

        from django.utils.translation import gettext_lazy as _

        from defensor.core import navigation

        navigation.register(label=_("Members"), url_name="accounts:members", capability="manage_members", order=900)
        navigation.register(label=_("Roles"), url_name="accounts:roles", capability="administer", order=910)
