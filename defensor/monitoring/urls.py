from django.urls import path

from defensor.monitoring.views import analytics, findings, observations, plans, questionnaires

app_name = "monitoring"

urlpatterns = [
    path("", plans.plan_list, name="plans"),
    path("new/", plans.plan_create, name="plan_create"),
    path("<int:pk>/", plans.plan_detail, name="plan"),
    path("<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("<int:pk>/checklist/", plans.plan_checklist, name="plan_checklist"),
    path("<int:pk>/notification/", plans.plan_notification, name="plan_notification"),
    path("<int:pk>/hearings/add/", plans.hearing_add, name="hearing_add"),
    path("<int:pk>/assignments/add/", plans.assignment_add, name="assignment_add"),
    path("<int:pk>/findings/", findings.plan_findings, name="findings"),
    path("<int:pk>/grade/", findings.plan_grade, name="grade"),
    path("hearings/<int:pk>/", plans.hearing_detail, name="hearing"),
    path("hearings/<int:pk>/edit/", plans.hearing_edit, name="hearing_edit"),
    path("hearings/<int:pk>/observe/", observations.observation_start, name="observe"),
    path("assignments/<int:pk>/end/", plans.assignment_end, name="assignment_end"),
    path("my/", observations.my_hearings, name="my"),
    path("observations/<int:pk>/", observations.observation_resume, name="observation"),
    path("observations/<int:pk>/section/<str:section>/", observations.observation_section, name="observation_section"),
    path("observations/<int:pk>/autosave/", observations.observation_autosave, name="observation_autosave"),
    path("observations/<int:pk>/submit/", observations.observation_submit, name="observation_submit"),
    path("observations/<int:pk>/read/", observations.observation_read, name="observation_read"),
    path("observations/<int:pk>/amend/<str:section>/", observations.observation_amend, name="observation_amend"),
    path("questionnaires/", questionnaires.questionnaire_list, name="questionnaires"),
    path("questionnaires/new/", questionnaires.questionnaire_new, name="questionnaire_new"),
    path("questionnaires/load/", questionnaires.questionnaire_load, name="questionnaire_load"),
    path("questionnaires/<int:pk>/", questionnaires.questionnaire_detail, name="questionnaire"),
    path("questionnaires/<int:pk>/publish/", questionnaires.questionnaire_publish, name="questionnaire_publish"),
    path("questionnaires/<int:pk>/retire/", questionnaires.questionnaire_retire, name="questionnaire_retire"),
    path(
        "questionnaires/<int:pk>/sections/<int:section_pk>/add/",
        questionnaires.question_add,
        name="question_add",
    ),
    path("questions/<int:pk>/edit/", questionnaires.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", questionnaires.question_delete, name="question_delete"),
    path("analytics/", analytics.findings_analytics, name="analytics"),
    path("calendar/", analytics.calendar_feed, name="calendar"),
]
